# generated/schema.json deleted.
rm generated/schema.json
