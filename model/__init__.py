"""adlint's model as a thing: labels, rules, the shipped artifact and the onnxruntime engine."""
