"""Topic models: fitting, coherence, model selection, prevalence and covariate effects."""
