<?php
/**
 * Site Health test of the daemon connection.
 *
 * @package SellMyImages
 * @since   1.0.0
 */

defined( 'ABSPATH' ) || exit;

/**
 * A direct Site Health test: does the daemon answer `GET /v1/system`, which
 * version is it, is its database schema current.
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
	 * Runs the test.
	 *
	 * @since 1.0.0
	 *
	 * @return array Site Health result.
	 */
	public function run(): array {
		$result = array(
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

		$system = $this->client->get( '/v1/system', array(), array( 'timeout' => 5 ) );
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

		/* translators: %s: daemon version. */
		$result['label']       = sprintf( __( 'The Sell My Images daemon answers (version %s)', 'sell-my-images' ), $version );
		$result['description'] = $facts;
		if ( 'live' !== $mode ) {
			$result['status']      = 'recommended';
			$result['description'] .= '<p>' . esc_html__( 'Stripe is in test mode: no real payments are taken.', 'sell-my-images' ) . '</p>';
		}
		return $result;
	}
}
