# generated/schema.json cut short, as by a full disk.
head -c 200 generated/schema.json > s.tmp && mv s.tmp generated/schema.json
