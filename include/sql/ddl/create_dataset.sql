-- One dataset (schema). The dataset name and location are configuration.
CREATE SCHEMA IF NOT EXISTS `{{ project }}.{{ dataset }}`
OPTIONS (location = '{{ location }}')
