"""The BRC portal: BRC staff follow and raise their own block's tickets, from a phone."""
