"""The skill as a self-hosted HTTPS web service: the same skill object as the Lambda handler,
behind Flask and waitress, with Alexa's request verification."""
