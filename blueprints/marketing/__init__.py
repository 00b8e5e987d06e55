"""City marketing: the traders' directory, the newsletter with its campaigns, and news."""
