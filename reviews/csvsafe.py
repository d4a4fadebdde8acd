"""Text made safe for a spreadsheet: the register's exports and the dashboard's CSVs write cells through here."""

# A spreadsheet runs a cell starting with one of these as a formula (CSV/formula injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text):
    """Text a spreadsheet would run as a formula, made inert with a leading single quote."""
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text
