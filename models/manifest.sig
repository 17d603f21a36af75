{
  "algorithm": "ed25519",
  "key_id": "c6387415d87b24f1",
  "signature": "uM8+tFoHQNJk41x5TiF4TH0WtnEt/mEBofiCkS/s5jsomURhfLEYKMwwkCVk3slZ7EwgQGnMILTtZW2x/76xCA=="
}
