"""Request-body parsing shared by every API view."""


def validated(serializer_class, data) -> dict:
    """Types and shapes only (rules live in services): 400 `invalid_input` on failure."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
