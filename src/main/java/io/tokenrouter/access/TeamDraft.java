package io.tokenrouter.access;

import io.swagger.v3.oas.annotations.media.Schema;
import io.tokenrouter.quota.QuotaSpec;
import java.util.List;

/** A team as a caller wants it: null fields stay as they are (on change) or take their default (on creation). */
public record TeamDraft(String name, String description, List<String> allowedModels, Boolean disabled,
                        List<QuotaSpec> quotas,
                        @Schema(description = "costs the gateway cannot meter that the team's keys may incur (see the"
                                + " key's 'unmetered'); empty clears") List<String> unmetered) {

    public TeamDraft(String name, String description, List<String> allowedModels, Boolean disabled,
                     List<QuotaSpec> quotas) {
        this(name, description, allowedModels, disabled, quotas, null);
    }
}
