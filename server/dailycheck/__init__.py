"""The daily check (每日一报) of each person on the watch roster, recorded on the phone."""
