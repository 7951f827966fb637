"""Operating a Doorstep installation: backups, restores, media checks."""
