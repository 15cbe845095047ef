"""Pure generators: spec and catalog in, data structures or text out. Nothing here writes files."""
