enum _PlaceholderGateEvaluation {}
