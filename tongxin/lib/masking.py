"""Masks for personal data shown on screen: 138****1234."""


def mask_phone(phone: str) -> str:
    digits = phone.strip()
    if not digits:
        return ""
    if len(digits) <= 7:
        return digits[:1] + "*" * (len(digits) - 2) + digits[-1:] if len(digits) > 2 else "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def mask_id_card(number: str) -> str:
    value = number.strip()
    if not value:
        return ""
    if len(value) < 8:
        return "*" * len(value)
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}"


def mask_name(name: str) -> str:
    if len(name) <= 1:
        return name
    return name[0] + "*" * (len(name) - 1)
