from ....language import constexpr, dtype  # noqa: F401
