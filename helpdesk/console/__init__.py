"""The live agent console: Socket.IO namespace ``/console``, presence and notifications."""
