{
  "algorithm": "ed25519",
  "key_id": "c6387415d87b24f1",
  "signature": "1fMNFzz/1PEMFbGPbbkoF6qXXeHJs2abSH1/kWw/oZ4uQ7kxtHBjmztpKOmYEAEhxuobGx1TeyZjzcI4h2qDCg=="
}
