"""What a screen does with the store on a key press (manage: archive, rename, delete, export;
resume), shared by the screens that offer it, and announced back as messages."""
