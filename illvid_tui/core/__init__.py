"""What the app does, without widgets: credentials, settings, stores, the poller."""
