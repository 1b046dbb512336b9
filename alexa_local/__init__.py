"""A local stand-in for Alexa's voice service, for trying Closer Together without a device.

Not shipped to Lambda: it turns typed text into the request envelopes Alexa would send and
drives the skill's Lambda handler with them.
"""
