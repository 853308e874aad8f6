"""The `ladderbot` command line."""


def main() -> None:
    raise SystemExit("ladderbot: not built yet")
