"""Closer Together: an Alexa skill that walks couples through small rituals of connection."""
