# A revision file copied under another name: two revisions with one id.
cp generated/versions/0001_before.c generated/versions/0002_copy.c
