"""Settings split by use: base (shared), local (make run), test (make test), production."""
