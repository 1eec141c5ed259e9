"""The modal dialogs screens open: confirm (yes/no), path (a file to write), profile_name.

No names are re-exported here: each screen imports the one dialog it opens, when it
opens it, so a section's first frame never pays for the others.
"""
