# An empty models folder.
rm models/model.h
