"""Training: corpus conversion, the registered corpus readers, silver text for distillation."""
