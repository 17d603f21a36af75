"""On-device small language model through llama.cpp."""
