<?php
/**
 * The plugin's capability.
 *
 * @package SellMyImages
 * @since   1.0.0
 */

defined( 'ABSPATH' ) || exit;

/**
 * Maps the custom capability `smi_manage_jobs` to a core one
 * (`manage_options` by default, filterable with `smi_jobs_capability`).
 *
 * @since 1.0.0
 */
class SMI_Capabilities {

	/**
	 * The capability every screen and action of the plugin checks.
	 *
	 * @since 1.0.0
	 * @var string
	 */
	const MANAGE = 'smi_manage_jobs';

	/**
	 * Hooks the mapping.
	 *
	 * @since 1.0.0
	 */
	public function register(): void {
		add_filter( 'map_meta_cap', array( $this, 'map_meta_cap' ), 10, 2 );
	}

	/**
	 * Maps smi_manage_jobs to the capability chosen by the site.
	 *
	 * @since 1.0.0
	 *
	 * @param string[] $caps Primitive capabilities required.
	 * @param string   $cap  Capability being checked.
	 * @return string[]
	 */
	public function map_meta_cap( $caps, $cap ) {
		if ( self::MANAGE !== $cap ) {
			return $caps;
		}
		/**
		 * Filters the core capability that grants Sell My Images job management.
		 *
		 * @since 1.0.0
		 *
		 * @param string $capability Default 'manage_options'.
		 */
		$required = (string) apply_filters( 'smi_jobs_capability', 'manage_options' );
		return array( '' !== $required && self::MANAGE !== $required ? $required : 'manage_options' );
	}
}
