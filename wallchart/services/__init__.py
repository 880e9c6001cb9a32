"""The one path for every change: validate, write rows, append history, commit, broadcast."""
