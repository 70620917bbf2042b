"""cfgate: a config-policy gate for Terraform, .env files and database pool settings."""

__version__ = "0.1.0"
