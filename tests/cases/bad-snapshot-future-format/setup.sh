# generated/schema.json written by a newer strata.
sed "s/\"format\": 1/\"format\": 2/" generated/schema.json > s.tmp && mv s.tmp generated/schema.json
