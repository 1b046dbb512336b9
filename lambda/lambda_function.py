"""AWS Lambda entry point: `lambda_function.lambda_handler`."""

import logging

from closer_together.skill import lambda_handler

logging.getLogger().setLevel(logging.INFO)

__all__ = ["lambda_handler"]
