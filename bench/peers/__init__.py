"""Other helpdesks the intake benchmark can run side by side with ours (``--peer``).

Each peer lives in its own package here and is installed by the benchmark into its own
virtualenv under bench/.peer-venv/, never into the app's environment.
"""
