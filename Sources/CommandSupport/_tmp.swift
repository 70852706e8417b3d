enum _PlaceholderCommandSupport {}
