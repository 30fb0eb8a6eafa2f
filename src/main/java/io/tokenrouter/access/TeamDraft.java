package io.tokenrouter.access;

import io.tokenrouter.quota.QuotaSpec;
import java.util.List;

/** A team as a caller wants it: null fields stay as they are (on change) or take their default (on creation). */
public record TeamDraft(String name, String description, List<String> allowedModels, Boolean disabled,
                        List<QuotaSpec> quotas) {
}
