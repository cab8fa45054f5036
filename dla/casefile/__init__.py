"""Case files: one YAML document per accompaniment, validated and resolved into a plan."""
