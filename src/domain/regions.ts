/**
 * Azure public-cloud regions (ARM name and display name). Users type either form, any case,
 * with or without spaces; everything downstream uses the ARM name, which is also the only
 * form allowed near an OData filter.
 */
const REGIONS: ReadonlyArray<readonly [name: string, display: string]> = [
  ["australiacentral", "Australia Central"],
  ["australiaeast", "Australia East"],
  ["australiasoutheast", "Australia Southeast"],
  ["austriaeast", "Austria East"],
  ["belgiumcentral", "Belgium Central"],
  ["brazilsouth", "Brazil South"],
  ["canadacentral", "Canada Central"],
  ["canadaeast", "Canada East"],
  ["centralindia", "Central India"],
  ["centralus", "Central US"],
  ["chilecentral", "Chile Central"],
  ["eastasia", "East Asia"],
  ["eastus", "East US"],
  ["eastus2", "East US 2"],
  ["francecentral", "France Central"],
  ["germanywestcentral", "Germany West Central"],
  ["indonesiacentral", "Indonesia Central"],
  ["israelcentral", "Israel Central"],
  ["italynorth", "Italy North"],
  ["japaneast", "Japan East"],
  ["japanwest", "Japan West"],
  ["koreacentral", "Korea Central"],
  ["koreasouth", "Korea South"],
  ["malaysiawest", "Malaysia West"],
  ["mexicocentral", "Mexico Central"],
  ["newzealandnorth", "New Zealand North"],
  ["northcentralus", "North Central US"],
  ["northeurope", "North Europe"],
  ["norwayeast", "Norway East"],
  ["polandcentral", "Poland Central"],
  ["qatarcentral", "Qatar Central"],
  ["southafricanorth", "South Africa North"],
  ["southcentralus", "South Central US"],
  ["southeastasia", "Southeast Asia"],
  ["southindia", "South India"],
  ["spaincentral", "Spain Central"],
  ["swedencentral", "Sweden Central"],
  ["switzerlandnorth", "Switzerland North"],
  ["uaenorth", "UAE North"],
  ["uksouth", "UK South"],
  ["ukwest", "UK West"],
  ["westcentralus", "West Central US"],
  ["westeurope", "West Europe"],
  ["westindia", "West India"],
  ["westus", "West US"],
  ["westus2", "West US 2"],
  ["westus3", "West US 3"],
  ["chinaeast2", "China East 2"],
  ["chinanorth3", "China North 3"],
  ["usgovvirginia", "US Gov Virginia"],
  ["usgovarizona", "US Gov Arizona"],
  ["usgovtexas", "US Gov Texas"],
];

const BY_KEY = new Map(REGIONS.map(([name, display]) => [name, display]));

/** Lower-case, every non-alphanumeric removed: "East US 2" -> "eastus2". */
export function regionKey(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]/g, "");
}

export function isKnownRegion(name: string): boolean {
  return BY_KEY.has(name);
}

/** ARM name for "eastus", "East US", "east us"; undefined when not a region. */
export function resolveRegion(text: string): string | undefined {
  const key = regionKey(text);
  // Refuse anything that is not already letters/digits/spaces/hyphens: quotes never pass.
  if (!/^[A-Za-z0-9 _-]{2,60}$/.test(text.trim())) return undefined;
  return BY_KEY.has(key) ? key : undefined;
}

export function regionDisplayName(name: string): string {
  return BY_KEY.get(name) ?? name;
}

export function allRegions(): string[] {
  return REGIONS.map(([name]) => name);
}

/** Strict shape check used right before a region reaches an Azure query. */
export function assertSafeRegion(name: string): string {
  if (!/^[a-z][a-z0-9]{2,39}$/.test(name)) throw new Error(`refusing unsafe region identifier ${JSON.stringify(name.slice(0, 60))}`);
  return name;
}
