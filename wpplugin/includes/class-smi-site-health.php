<?php
/**
 * Site Health test of the daemon connection.
 *
 * @package SellMyImages
 * @since   1.0.0
 */

defined( 'ABSPATH' ) || exit;

/**
 * A direct Site Health test (does the daemon answer `GET /v1/system`, which
 * version is it, is its database schema current, can it take orders) and a
 * section in Tools > Site Health > Info.
 *
 * @since 1.0.0
 */
class SMI_Site_Health {

	/**
	 * Daemon client.
	 *
	 * @since 1.0.0
	 * @var SMI_Daemon_Client
	 */
	private SMI_Daemon_Client $client;

	/**
	 * The daemon's `/v1/system` answer, once fetched.
	 *
	 * @since 1.1.0
	 * @var array|WP_Error|null
	 */
	private $system = null;

	/**
	 * Builds the test.
	 *
	 * @since 1.0.0
	 *
	 * @param SMI_Daemon_Client $client Daemon client.
	 */
	public function __construct( SMI_Daemon_Client $client ) {
		$this->client = $client;
	}

	/**
	 * Hooks the test.
	 *
	 * @since 1.0.0
	 */
	public function register(): void {
		add_filter( 'site_status_tests', array( $this, 'add_test' ) );
		add_filter( 'debug_information', array( $this, 'debug_information' ) );
	}

	/**
	 * Adds the direct test.
	 *
	 * @since 1.0.0
	 *
	 * @param array $tests Site Health tests.
	 * @return array
	 */
	public function add_test( $tests ) {
		$tests['direct']['smi_daemon'] = array(
			'label' => __( 'Sell My Images daemon', 'sell-my-images' ),
			'test'  => array( $this, 'run' ),
		);
		return $tests;
	}

	/**
	 * `GET /v1/system`, asked once per request (Status and Info share it).
	 *
	 * @since 1.1.0
	 *
	 * @return array|WP_Error
	 */
	private function system() {
		if ( null === $this->system ) {
			$this->system = $this->client->get( '/v1/system', array(), array( 'timeout' => 5 ) );
		}
		return $this->system;
	}

	/**
	 * What the daemon lacks to sell: `stripe`, `upscaler`, `mail`, or
	 * `pipeline` when it only says the pipeline is off; null when unknown.
	 *
	 * Reads the `*_configured` booleans of `/v1/system`; a daemon without
	 * them is asked for prices, which it answers 503 when its pipeline is
	 * not configured (checkouts then answer 503 too).
	 *
	 * @since 1.1.0
	 *
	 * @param array $system `/v1/system` answer.
	 * @return string[]|null
	 */
	public function missing_parts( array $system ): ?array {
		$flags   = array(
			'stripe'   => 'stripe_configured',
			'upscaler' => 'upscaler_configured',
			'mail'     => 'mail_configured',
		);
		$known   = false;
		$missing = array();
		foreach ( $flags as $part => $key ) {
			if ( array_key_exists( $key, $system ) ) {
				$known = true;
				if ( true !== $system[ $key ] ) {
					$missing[] = $part;
				}
			}
		}
		if ( $known ) {
			return $missing;
		}
		$probe = $this->client->get(
			'/v1/prices',
			array(
				'image_width'  => 1000,
				'image_height' => 1000,
			),
			array( 'timeout' => 5 )
		);
		if ( ! is_wp_error( $probe ) ) {
			return array();
		}
		$status = (int) ( $probe->get_error_data()['status'] ?? 0 );
		return 503 === $status && 'unavailable' === $probe->get_error_code() ? array( 'pipeline' ) : null;
	}

	/**
	 * Runs the test.
	 *
	 * @since 1.0.0
	 *
	 * @return array Site Health result.
	 */
	public function run(): array {
		$result   = array(
			'label'       => '',
			'status'      => 'good',
			'badge'       => array(
				'label' => __( 'Sell My Images', 'sell-my-images' ),
				'color' => 'blue',
			),
			'description' => '',
			'actions'     => '',
			'test'        => 'smi_daemon',
		);
		$settings = sprintf( '<p><a href="%1$s">%2$s</a></p>', esc_url( admin_url( 'admin.php?page=' . SMI_Settings::PAGE ) ), esc_html__( 'Sell My Images settings', 'sell-my-images' ) );

		$system = $this->system();
		if ( is_wp_error( $system ) ) {
			$result['status']         = 'critical';
			$result['badge']['color'] = 'red';
			$result['label']          = __( 'The Sell My Images daemon does not answer', 'sell-my-images' );
			$result['description']    = '<p>' . esc_html( $system->get_error_message() ) . '</p><p>' . esc_html__( 'Until it answers, visitors cannot buy images and the Jobs screen is empty.', 'sell-my-images' ) . '</p>';
			$result['actions']        = $settings;
			return $result;
		}

		$version = (string) ( $system['version'] ?? '?' );
		$schema  = (array) ( $system['schema'] ?? array() );
		$mode    = (string) ( $system['stripe_mode'] ?? '?' );
		$facts   = '<p>' . esc_html(
			sprintf(
				/* translators: 1: daemon version, 2: applied migrations, 3: latest migration, 4: Stripe mode. */
				__( 'smid %1$s, database schema %2$d of %3$d, Stripe in %4$s mode.', 'sell-my-images' ),
				$version,
				(int) ( $schema['applied'] ?? 0 ),
				(int) ( $schema['latest'] ?? 0 ),
				$mode
			)
		) . '</p>';

		if ( empty( $schema['current'] ) ) {
			$result['status']         = 'critical';
			$result['badge']['color'] = 'red';
			$result['label']          = __( 'The Sell My Images daemon\'s database schema is out of date', 'sell-my-images' );
			$result['description']    = $facts . '<p>' . esc_html__( 'Run smid\'s database migrations, then restart it.', 'sell-my-images' ) . '</p>';
			return $result;
		}

		$missing = $this->missing_parts( $system );
		if ( $missing ) {
			$result['status']         = 'critical';
			$result['badge']['color'] = 'red';
			$result['label']          = __( 'Sell My Images cannot take orders: the daemon\'s pipeline is not configured', 'sell-my-images' );
			$result['description']    = $facts . '<p>' . esc_html__( 'The daemon answers, but it refuses prices and checkouts (HTTP 503), so visitors cannot buy images.', 'sell-my-images' ) . '</p><ul>';
			foreach ( $missing as $part ) {
				$result['description'] .= '<li>' . esc_html( self::missing_hint( $part ) ) . '</li>';
			}
			$result['description'] .= '</ul><p>' . esc_html__( 'Set the missing keys in smid\'s YAML configuration file (or their SMI_ environment variables) and restart smid.', 'sell-my-images' ) . '</p>';
			return $result;
		}

		if ( '' === (string) get_option( 'permalink_structure' ) ) {
			$result['status']         = 'critical';
			$result['badge']['color'] = 'red';
			$result['label']          = __( 'Sell My Images needs pretty permalinks', 'sell-my-images' );
			$result['description']    = $facts . '<p>' . esc_html__( 'With plain permalinks, Stripe\'s and Upsampler\'s notifications (/smi-webhook/) and the download links in customers\' emails (/smi-download/) answer "not found": payments are not confirmed and paid customers cannot download.', 'sell-my-images' ) . '</p>';
			$result['actions']        = sprintf( '<p><a href="%1$s">%2$s</a></p>', esc_url( admin_url( 'options-permalink.php' ) ), esc_html__( 'Choose a permalink structure', 'sell-my-images' ) );
			return $result;
		}

		/* translators: %s: daemon version. */
		$result['label']       = sprintf( __( 'The Sell My Images daemon answers (version %s)', 'sell-my-images' ), $version );
		$result['description'] = $facts;
		if ( null === $missing ) {
			$result['status']       = 'recommended';
			$result['description'] .= '<p>' . esc_html__( 'Whether the daemon can take orders could not be checked: it did not answer a price request.', 'sell-my-images' ) . '</p>';
		}
		if ( 'live' !== $mode ) {
			$result['status']       = 'recommended';
			$result['description'] .= '<p>' . esc_html__( 'Stripe is in test mode: no real payments are taken.', 'sell-my-images' ) . '</p>';
		}
		return $result;
	}

	/**
	 * What to set for a missing part.
	 *
	 * @since 1.1.0
	 *
	 * @param string $part stripe|upscaler|mail|pipeline.
	 * @return string
	 */
	private static function missing_hint( string $part ): string {
		switch ( $part ) {
			case 'stripe':
				return __( 'Stripe: set stripe.secret_key and stripe.webhook_secret.', 'sell-my-images' );
			case 'upscaler':
				return __( 'Upscaling: set upsampler.api_key (or upscaler.provider: local).', 'sell-my-images' );
			case 'mail':
				return __( 'Email: set the mail.smtp_* keys and mail.from, or customers never receive their links.', 'sell-my-images' );
			default:
				return __( 'Set site.url, stripe.secret_key, stripe.webhook_secret and upsampler.api_key.', 'sell-my-images' );
		}
	}

	/**
	 * Adds the plugin's section to Tools > Site Health > Info. No secret is
	 * ever shown: the shared secret is reported as set or missing.
	 *
	 * @since 1.1.0
	 *
	 * @param array $info Debug information sections.
	 * @return array
	 */
	public function debug_information( $info ) {
		$from_constants = defined( 'SMI_DAEMON_URL' ) && '' !== (string) SMI_DAEMON_URL;
		$has_secret     = '' !== SMI_Daemon_Client::configured_secret();
		$proxies        = SMI_Client_IP::trusted_proxies();
		$fields         = array(
			'plugin_version'  => array(
				'label' => __( 'Plugin version', 'sell-my-images' ),
				'value' => SMI_VERSION,
			),
			'daemon_url'      => array(
				'label' => __( 'Daemon URL', 'sell-my-images' ),
				'value' => self::public_url( $this->client->display_url() ),
			),
			'daemon_url_from' => array(
				'label' => __( 'Connection set in', 'sell-my-images' ),
				'value' => $from_constants ? 'wp-config.php' : __( 'Settings screen', 'sell-my-images' ),
				'debug' => $from_constants ? 'wp-config.php' : 'settings',
			),
			'daemon_secret'   => array(
				'label' => __( 'Shared secret', 'sell-my-images' ),
				'value' => $has_secret ? __( 'Set', 'sell-my-images' ) : __( 'Missing', 'sell-my-images' ),
				'debug' => $has_secret ? 'set' : 'missing',
			),
		);

		$system = $this->system();
		if ( is_wp_error( $system ) ) {
			$fields['daemon'] = array(
				'label' => __( 'Daemon', 'sell-my-images' ),
				'value' => $system->get_error_message(),
				'debug' => 'unreachable: ' . $system->get_error_code(),
			);
		} else {
			$schema  = (array) ( $system['schema'] ?? array() );
			$missing = $this->missing_parts( $system );
			$fields += array(
				'daemon_version'  => array(
					'label' => __( 'Daemon version', 'sell-my-images' ),
					'value' => (string) ( $system['version'] ?? '' ),
				),
				'daemon_schema'   => array(
					'label' => __( 'Database schema', 'sell-my-images' ),
					'value' => sprintf(
						/* translators: 1: applied migrations, 2: latest migration. */
						__( '%1$d of %2$d', 'sell-my-images' ),
						(int) ( $schema['applied'] ?? 0 ),
						(int) ( $schema['latest'] ?? 0 )
					) . ( empty( $schema['current'] ) ? ' (' . __( 'behind', 'sell-my-images' ) . ')' : '' ),
					'debug' => (int) ( $schema['applied'] ?? 0 ) . '/' . (int) ( $schema['latest'] ?? 0 ) . ( empty( $schema['current'] ) ? ' behind' : ' current' ),
				),
				'stripe_mode'     => array(
					'label' => __( 'Stripe mode', 'sell-my-images' ),
					'value' => (string) ( $system['stripe_mode'] ?? '' ),
				),
				'currency'        => array(
					'label' => __( 'Currency', 'sell-my-images' ),
					'value' => strtoupper( (string) ( $system['currency'] ?? '' ) ),
				),
				'pipeline'        => array(
					'label' => __( 'Taking orders', 'sell-my-images' ),
					'value' => null === $missing ? __( 'Unknown', 'sell-my-images' ) : ( $missing ? __( 'No, not configured:', 'sell-my-images' ) . ' ' . implode( ', ', $missing ) : __( 'Yes', 'sell-my-images' ) ),
					'debug' => null === $missing ? 'unknown' : ( $missing ? 'not configured: ' . implode( ',', $missing ) : 'configured' ),
				),
				'stripe_dashboard' => array(
					'label' => __( 'Stripe dashboard URL', 'sell-my-images' ),
					'value' => self::public_url( (string) ( $system['stripe_dashboard_url'] ?? '' ) ),
				),
			);
		}

		$fields += array(
			'site_urls'       => array(
				'label' => __( 'Public URLs', 'sell-my-images' ),
				'value' => home_url( '/smi-webhook/stripe/' ) . ', ' . home_url( '/smi-webhook/upsampler/' ) . ', ' . home_url( '/smi-download/' ) . ', ' . rest_url( SMI_REST::NS . '/' ),
			),
			'trusted_proxies' => array(
				'label' => __( 'Trusted proxies', 'sell-my-images' ),
				'value' => $proxies ? implode( ', ', $proxies ) : __( 'None', 'sell-my-images' ),
				'debug' => $proxies ? implode( ', ', $proxies ) : 'none',
			),
			'rate_limit'      => array(
				'label' => __( 'Checkout rate limit store', 'sell-my-images' ),
				'value' => SMI_Rate_Limiter::backend(),
			),
			'auto_buttons'    => array(
				'label' => __( 'Automatic buttons', 'sell-my-images' ),
				'value' => SMI_Settings::auto_buttons() ? __( 'On', 'sell-my-images' ) : __( 'Off', 'sell-my-images' ),
				'debug' => SMI_Settings::auto_buttons() ? 'on' : 'off',
			),
		);

		$info['sell-my-images'] = array(
			'label'  => __( 'Sell My Images', 'sell-my-images' ),
			'fields' => $fields,
		);
		return $info;
	}

	/**
	 * A URL without user name or password.
	 *
	 * @since 1.1.0
	 *
	 * @param string $url URL.
	 * @return string
	 */
	private static function public_url( string $url ): string {
		return (string) preg_replace( '#^([a-z][a-z0-9+.-]*://)[^/@]*@#i', '$1', $url );
	}
}
