enum _PlaceholderCIOutput {}
