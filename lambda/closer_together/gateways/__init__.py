"""Small gateways to the Alexa APIs, so tests and the local console can stand in."""
