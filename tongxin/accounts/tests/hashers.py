from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Still Argon2 (the stored hash says so), with parameters cheap enough for tests."""

    time_cost = 1
    memory_cost = 64
    parallelism = 1


FAST_HASHERS = ["tongxin.accounts.tests.hashers.FastArgon2PasswordHasher"]
