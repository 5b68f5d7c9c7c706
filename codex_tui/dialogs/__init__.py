"""Modal dialogs the screens push (confirm, export, fork, rename), each with its .tcss."""
