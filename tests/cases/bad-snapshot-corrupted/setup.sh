# generated/schema.json with bytes overwritten.
printf "\\000\\377garbage" | dd of=generated/schema.json bs=1 seek=40 conv=notrunc 2> /dev/null
