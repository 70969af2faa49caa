"""The real-news development corpus: manifest, gold, sentence labels and their scoring."""
