"""The rituals, as plain Python: state in, what was heard in, reply and new state out."""
