"""Field validation shared by the casework packages: Chinese reasons, each naming its field."""
