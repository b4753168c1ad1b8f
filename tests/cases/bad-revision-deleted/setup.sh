# The only revision file deleted by hand.
rm generated/versions/0001_before.c
