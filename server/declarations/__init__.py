"""Self-declared extensions (承诺自我申报延期) of an existing recipient's benefit."""
