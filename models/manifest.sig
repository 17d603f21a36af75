{
  "algorithm": "ed25519",
  "key_id": "c6387415d87b24f1",
  "signature": "SWj44IL/uwt9EowNeY2KQHu+Tv4it7V+pMqIMydrcVfx5/NTvk+jITXM6zXj3UnrULjOqKAvgRW+tNGQzIxACg=="
}
